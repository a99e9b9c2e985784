using Microsoft.Extensions.Logging;

namespace Nautilus.Client;

/// <summary>The log of the command-line programs (nautilus-agent, nautilus-scheduler): one line per message on standard error.</summary>
public sealed class ConsoleLog(LogLevel minimum) : ILoggerFactory, ILogger
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {logLevel.ToString().ToUpperInvariant()[..4]} {formatter(state, exception)}";
        if (exception is not null)
        {
            line += ": " + exception.Message;
        }

        lock (_gate)
        {
            Console.Error.WriteLine(line);
        }
    }

    public void Dispose()
    {
    }
}
