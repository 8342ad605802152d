using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.TestSupport;

/// <summary>A logger that keeps each formatted line (with its level) for a test to read.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Lines.Enqueue($"{logLevel}: " + formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
    }
}
