using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pacer.Gateway.Operations;

/// <summary>
/// One category's console logger: formats each entry on the caller's thread with the console formatter, exactly as
/// the stock console logger does, and hands the text to the provider's <see cref="ConsoleBatchWriter"/>.
/// </summary>
internal sealed class BatchingConsoleLogger(string category, BatchingConsoleLoggerProvider provider) : ILogger
{
    [ThreadStatic]
    private static StringWriter? t_text;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => provider.ScopeProvider?.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var text = t_text ??= new StringWriter(CultureInfo.CurrentCulture);
        var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
        var builder = text.GetStringBuilder();
        var start = 0;
        if (provider.Timestamp is { } timestamp)
        {
            Span<char> stamp = stackalloc char[ConsoleTimestamp.Length];
            timestamp.WriteNow(stamp);
            builder.Append(stamp);
            start = stamp.Length;
        }

        provider.Formatter.Write(in entry, provider.ScopeProvider, text);
        if (builder.Length == start)
        {
            // The formatter wrote nothing (no message and no exception): no line, not even a timestamp.
            builder.Clear();
            return;
        }

        var line = builder.ToString();
        builder.Clear();
        if (builder.Capacity > 1024)
        {
            builder.Capacity = 1024;
        }

        provider.Writer.Enqueue(line, toErrors: logLevel >= provider.ErrorThreshold);
    }
}
