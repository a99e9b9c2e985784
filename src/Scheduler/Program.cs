using Microsoft.Extensions.Logging;
using Nautilus.Client;
using Nautilus.Scheduler;

SchedulerCommandLine? commandLine;
try
{
    commandLine = SchedulerCommandLine.Parse(args);
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"nautilus-scheduler: {e.Message}");
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
Console.Error.WriteLine($"nautilus-scheduler: scheduling for {commandLine.Endpoint.Server} with profiles {string.Join(", ", commandLine.Options.Profiles)}");
await SchedulerHost.RunAsync(channel.CreateCallInvoker(), log, commandLine.Options, stop.Token);
return 0;
