using Nautilus.Server.Api.Services;

namespace Nautilus.Server.Api.NodeAgent;

/// <summary>Composition of the node agent API: its services, its gRPC service and the pods/log route.</summary>
public static class NodeAgentEndpoints
{
    /// <summary>The pods/log path. Literal segments make it win over the transcoded generic subresource route.</summary>
    public const string PodLogPattern = "/api/v1/namespaces/{namespace}/pods/{name}/log";

    public static IServiceCollection AddNodeAgentApi(this IServiceCollection services)
    {
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<PodLogs>();
        return services;
    }

    /// <summary>Maps the NodeAgent gRPC service and GET pods/{name}/log (text/plain, streamed with follow=true).</summary>
    public static IEndpointRouteBuilder MapNodeAgentApi(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<NodeAgentService>();
        app.MapGet(PodLogPattern, WritePodLogAsync);
        return app;
    }

    private static async Task WritePodLogAsync(HttpContext http, string @namespace, string name, PodLogs logs, IHostApplicationLifetime lifetime)
    {
        var query = http.Request.Query;

        // A followed log ends with the server: it must not hold up graceful shutdown.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        PodLogStream stream;
        try
        {
            var options = PodLogOptions.Parse(
                query["container"].ToString(), query["follow"].ToString(), query["previous"].ToString(), query["timestamps"].ToString(),
                query["tailLines"].ToString(), query["sinceSeconds"].ToString(), query["limitBytes"].ToString());
            stream = await logs.OpenAsync(@namespace, name, options, ct).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            http.Response.StatusCode = e.Code;
            http.Response.ContentType = Responses.JsonContentType;
            await http.Response.Body.WriteAsync(e.ToStatusJson(), ct).ConfigureAwait(false);
            return;
        }

        await using (stream.ConfigureAwait(false))
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/plain";
            await http.Response.StartAsync(ct).ConfigureAwait(false);
            try
            {
                await foreach (var chunk in stream.ReadAsync(ct).ConfigureAwait(false))
                {
                    await http.Response.Body.WriteAsync(chunk, ct).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // kubectl logs -f ended (Ctrl+C).
            }
        }
    }
}
