using System.Diagnostics;
using Nautilus.Server;
using Nautilus.Server.Hosting;

ServerOptions? options;
try
{
    options = ServerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"nautilus: {e.Message}");
    Console.Error.WriteLine(ServerOptions.Usage);
    return 2;
}

if (options is null)
{
    return 0;
}

var started = Stopwatch.StartNew();
await using var server = await NautilusServer.StartAsync(options);
Console.WriteLine($"Nautilus is serving the Kubernetes API on {server.BaseAddress} (ready in {started.ElapsedMilliseconds} ms)");
Console.WriteLine($"kubeconfig: {server.KubeconfigPath}");
Console.WriteLine($"  export KUBECONFIG={server.KubeconfigPath}; kubectl get namespaces");
await server.WaitForShutdownAsync();
return 0;
