using Microsoft.Extensions.Logging;
using Nautilus.Agent;
using Nautilus.Client;

AgentCommandLine? commandLine;
try
{
    commandLine = AgentCommandLine.Parse(args);
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
{
    Console.Error.WriteLine($"nautilus-agent: {e.Message}");
    return 2;
}

if (commandLine is null)
{
    return 0;
}

using var log = new ConsoleLog(LogLevel.Information);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

using var channel = ClusterChannel.Create(commandLine.Endpoint);
await using var agent = NodeAgentHost.Start(channel, commandLine.Options, log);
Console.Error.WriteLine($"nautilus-agent: simulating {agent.NodeNames.Count} nodes against {commandLine.Endpoint.Server}");
try
{
    await Task.WhenAny(agent.Completion, Task.Delay(Timeout.Infinite, stop.Token));
}
catch (OperationCanceledException)
{
}

return 0;
