using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Pacer.Gateway.Operations;

/// <summary>
/// The gateway's console logger: the same formatter and settings as the stock console logger (so the same bytes on
/// the console, line for line), but a request's lines reach the console in one batch from one thread
/// (<see cref="ConsoleBatchWriter"/>), instead of waking the console thread once per line. Configured as the stock
/// one is (<c>AddSimpleConsole</c>, the <c>Console</c> logging section); honours <c>FormatterName</c>,
/// <c>LogToStandardErrorThreshold</c> and <c>MaxQueueLength</c>, and always waits when the queue is full. With a
/// <see cref="ConsoleTimestamp"/> that took over the simple formatter's timestamp, it writes each line's timestamp
/// itself, the same characters, faster.
/// </summary>
[ProviderAlias("Console")]
internal sealed class BatchingConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentDictionary<string, BatchingConsoleLogger> _loggers = new(StringComparer.Ordinal);

    public BatchingConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, ConsoleTimestamp? timestamp = null)
        : this(options?.CurrentValue ?? throw new ArgumentNullException(nameof(options)), formatters, Console.OpenStandardOutput(), Console.OpenStandardError(), Console.OutputEncoding, timestamp)
    {
    }

    internal BatchingConsoleLoggerProvider(ConsoleLoggerOptions options, IEnumerable<ConsoleFormatter> formatters, Stream output, Stream errors, Encoding encoding, ConsoleTimestamp? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(formatters);
        var all = formatters.ToList();
        Formatter = Named(all, options.FormatterName) ?? Named(all, ConsoleFormatterNames.Simple)
            ?? throw new InvalidOperationException($"No console formatter named '{options.FormatterName ?? ConsoleFormatterNames.Simple}' is registered.");
        ErrorThreshold = options.LogToStandardErrorThreshold;

        // The formatters exist by now, so the simple one's options were configured (and its timestamp taken over, or not).
        Timestamp = timestamp?.TookOver == true && string.Equals(Formatter.Name, ConsoleFormatterNames.Simple, StringComparison.OrdinalIgnoreCase) ? timestamp : null;
        Writer = new ConsoleBatchWriter(output, errors, encoding, options.MaxQueueLength);
    }

    /// <summary>Gets the formatter every line goes through.</summary>
    public ConsoleFormatter Formatter { get; }

    /// <summary>
    /// Gets the timestamp written in front of the formatter's text when it was taken over from the formatter
    /// (<see cref="ConsoleTimestamp"/>); <see langword="null"/> when the formatter writes its own.
    /// </summary>
    public ConsoleTimestamp? Timestamp { get; }

    /// <summary>Gets the level from which lines go to standard error.</summary>
    public LogLevel ErrorThreshold { get; }

    /// <summary>Gets the writer every line is queued to.</summary>
    public ConsoleBatchWriter Writer { get; }

    /// <summary>Gets the scopes formatters may include, once the logger factory has given them.</summary>
    public IExternalScopeProvider? ScopeProvider { get; private set; }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new BatchingConsoleLogger(name, this));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => ScopeProvider = scopeProvider;

    /// <summary>Writes the lines still queued.</summary>
    public void Dispose() => Writer.Dispose();

    private static ConsoleFormatter? Named(List<ConsoleFormatter> formatters, string? name) =>
        name is null ? null : formatters.Find(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
