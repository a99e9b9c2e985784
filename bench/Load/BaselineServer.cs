using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nautilus.Bench;
using Nautilus.Server.Hosting;

namespace Nautilus.Load;

/// <summary>
/// The yardstick of the throughput targets: Kestrel on the same kind of TLS certificate, HTTP/1.1
/// and HTTP/2 on one port, answering every request with the bytes of a stored pod and doing no
/// other work (no authentication, no routing beyond a catch-all).
/// </summary>
internal static class BaselineServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var directory = Path.Combine(Path.GetTempPath(), "nautilus-baseline-" + Guid.NewGuid().ToString("N")[..12]);
        var port = 0;
        string? body = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir":
                    directory = args[++i];
                    break;
                case "--body":
                    body = args[++i];
                    break;
                case "--port":
                    port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        var credentials = ClusterCredentials.LoadOrCreate(directory, "127.0.0.1");
        // As the server's host: no configuration files watched under the working directory.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(credentials.ServingCertificate);
            });
        });
        var app = builder.Build();
        var pod = body is null ? StoredPod() : await File.ReadAllBytesAsync(body);
        app.Run(context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = pod.Length;
            return context.Response.Body.WriteAsync(pod).AsTask();
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var baseAddress = new Uri($"https://127.0.0.1:{address.Port}/");
        var kubeconfig = KubeconfigWriter.Write(directory, baseAddress, credentials);
        Console.WriteLine($"baseline serving on {baseAddress}");
        Console.WriteLine($"kubeconfig: {kubeconfig}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>A pod as Nautilus stores it after defaulting (about the size a GET of a seeded pod answers).</summary>
    private static byte[] StoredPod()
    {
        var sent = KubeObjects.PodJson("ns-0", "web-0", "node-0", 0);
        var text = System.Text.Encoding.UTF8.GetString(sent);
        var defaults = ",\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAccountName\":\"default\","
            + "\"serviceAccount\":\"default\",\"securityContext\":{},\"schedulerName\":\"default-scheduler\",\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\","
            + "\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300},{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
            + "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}],\"priority\":0,\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLowerPriority\"},"
            + "\"status\":{\"phase\":\"Pending\",\"qosClass\":\"Burstable\"}}";
        return System.Text.Encoding.UTF8.GetBytes(text[..^2] + defaults);
    }
}
