using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Pacer.Gateway.Operations;

namespace Pacer.Gateway.Tests.Operations;

public sealed partial class BatchingConsoleLoggerProviderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly Action<ILogger, int, int, Exception?> NumberedLine =
        LoggerMessage.Define<int, int>(LogLevel.Information, default, "thread {Thread} line {Line}");

    [Fact]
    public void Log_LinesOfEveryKind_WritesExactlyWhatTheConsoleFormatterWritesInOrder()
    {
        var (options, formatters) = GatewayConsole();
        var output = new RecordingStream();
        var provider = new BatchingConsoleLoggerProvider(options, formatters, output, new RecordingStream(), Utf8);
        var failure = new InvalidOperationException("upstream went away");
        var entries = new (string Category, LogLevel Level, string Message, Exception? Error)[]
        {
            ("Pacer.Http.PacerHandler", LogLevel.Information, "🔄 Attempt 1/4 for /v1/messages", null),
            ("Pacer.Http.PacerHandler", LogLevel.Information, "📊 Current requests: 1/50", null),
            ("Pacer.Usage.CostCalculator", LogLevel.Information, "💰 Input: 25 tokens × 3 credits = 75 credits", null),
            ("Pacer.Gateway.Proxy.ProxyEndpoint", LogLevel.Warning, "Upstream call for /v1/messages failed: ConnectionRefused", failure),
            ("Pacer.Gateway.Proxy.ProxyEndpoint", LogLevel.Debug, "multi\nline message", null),
        };

        foreach (var (category, level, message, error) in entries)
        {
            provider.CreateLogger(category).Log(level, new EventId(7), message, error, (m, _) => m);
        }

        provider.Dispose();

        var expected = new StringBuilder();
        var formatter = formatters.Single(f => f.Name == ConsoleFormatterNames.Simple);
        using var text = new StringWriter();
        foreach (var (category, level, message, error) in entries)
        {
            formatter.Write(new LogEntry<string>(level, category, new EventId(7), message, error, (m, _) => m), null, text);
        }

        WithoutTimestamps(output.Text()).ShouldBe(WithoutTimestamps(text.ToString()));
        Timestamp().Count(output.Text()).ShouldBe(entries.Length);
        output.Text().ShouldContain("🔄 Attempt 1/4 for /v1/messages");
    }

    [Fact]
    public void Log_TimestampTakenOver_WritesTheSameLinesAsTheFormatterWithItsTimestamp()
    {
        var (options, formatters, timestamp) = GatewayConsoleWithTimestamp();
        var output = new RecordingStream();
        var provider = new BatchingConsoleLoggerProvider(options, formatters, output, new RecordingStream(), Utf8, timestamp);
        var failure = new InvalidOperationException("upstream went away");
        var entries = new (string Category, LogLevel Level, string? Message, Exception? Error)[]
        {
            ("Pacer.Http.PacerHandler", LogLevel.Information, "🔄 Attempt 1/4 for /v1/messages", null),
            ("Pacer.Gateway.Proxy.ProxyEndpoint", LogLevel.Warning, "Upstream call for /v1/messages failed: ConnectionRefused", failure),
            ("Pacer.Gateway.Proxy.ProxyEndpoint", LogLevel.Debug, "multi\nline message", null),
            ("Pacer.Test", LogLevel.Information, null, null),
            ("Pacer.Test", LogLevel.Error, null, failure),
        };

        var before = DateTime.UtcNow;
        foreach (var (category, level, message, error) in entries)
        {
            provider.CreateLogger(category).Log(level, new EventId(7), message, error, (m, _) => m!);
        }

        var after = DateTime.UtcNow;
        provider.Dispose();

        provider.Timestamp.ShouldBeSameAs(timestamp);
        var (_, stock) = GatewayConsole();
        var formatter = stock.Single(f => f.Name == ConsoleFormatterNames.Simple);
        using var text = new StringWriter();
        foreach (var (category, level, message, error) in entries)
        {
            formatter.Write(new LogEntry<string?>(level, category, new EventId(7), message, error, (m, _) => m!), null, text);
        }

        // The stock formatter drops the entry without a message or an exception; so does the logger, timestamp included.
        WithoutTimestamps(output.Text()).ShouldBe(WithoutTimestamps(text.ToString()));
        var stamps = Timestamp().Matches(output.Text()).Select(m => DateTime.Parse(m.Value.TrimEnd(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).ToList();
        stamps.Count.ShouldBe(4);
        stamps.ShouldAllBe(t => t >= before.AddMilliseconds(-1) && t <= after);
    }

    [Fact]
    public void Write_AnyTime_SameCharactersAsTheCustomPattern()
    {
        var times = new[]
        {
            new DateTime(2026, 12, 5, 1, 2, 3, DateTimeKind.Utc).AddTicks(4_569_999),
            new DateTime(999, 1, 9, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999),
            new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc),
            DateTime.MaxValue,
            DateTime.UnixEpoch.AddTicks(10_000),
        };
        Span<char> written = stackalloc char[ConsoleTimestamp.Length];
        foreach (var time in times)
        {
            ConsoleTimestamp.Write(time, written);
            written.ToString().ShouldBe(new DateTimeOffset(time).ToString(ConsoleTimestamp.Pattern, CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("HH:mm:ss ", true)]
    [InlineData(ConsoleTimestamp.Pattern, false)]
    public void PostConfigure_OtherPatternOrLocalTime_LeftToTheFormatter(string pattern, bool utc)
    {
        var timestamp = new ConsoleTimestamp();
        var options = new SimpleConsoleFormatterOptions { TimestampFormat = pattern, UseUtcTimestamp = utc };

        timestamp.PostConfigure(Options.DefaultName, options);

        timestamp.TookOver.ShouldBeFalse();
        options.TimestampFormat.ShouldBe(pattern);
    }

    [Fact]
    public void Log_LevelAtTheErrorThreshold_GoesToStandardError()
    {
        var (options, formatters) = GatewayConsole();
        options.LogToStandardErrorThreshold = LogLevel.Warning;
        var output = new RecordingStream();
        var errors = new RecordingStream();
        var provider = new BatchingConsoleLoggerProvider(options, formatters, output, errors, Utf8);
        var logger = provider.CreateLogger("Pacer.Test");

        logger.LogInformation("first");
        logger.LogWarning("second");
        logger.LogInformation("third");
        provider.Dispose();

        Lines(output.Text()).ShouldBe(["first", "third"]);
        Lines(errors.Text()).ShouldBe(["second"]);
    }

    [Fact]
    public async Task Log_ManyThreads_EveryLineOnceAndEachThreadsInItsOrder()
    {
        var (options, formatters) = GatewayConsole();
        var output = new RecordingStream();
        var provider = new BatchingConsoleLoggerProvider(options, formatters, output, new RecordingStream(), Utf8);
        var logger = provider.CreateLogger("Pacer.Test");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                NumberedLine(logger, t, i, null);
            }
        }))).WaitAsync(Bound, TestContext.Current.CancellationToken);
        provider.Dispose();

        var lines = Lines(output.Text());
        lines.Count.ShouldBe(1200);
        for (var t = 0; t < 4; t++)
        {
            var prefix = $"thread {t} line ";
            lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ShouldBe(Enumerable.Range(0, 300).Select(i => prefix + i));
        }
    }

    [Fact]
    public async Task Log_WithoutDisposal_ReachesTheConsoleByItself()
    {
        var (options, formatters) = GatewayConsole();
        var output = new RecordingStream();
        using var provider = new BatchingConsoleLoggerProvider(options, formatters, output, new RecordingStream(), Utf8);

        provider.CreateLogger("Pacer.Test").LogInformation("on its way");

        await output.Written.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Lines(output.Text()).ShouldBe(["on its way"]);
    }

    [Fact]
    public void Log_AfterDisposal_IsStillWritten()
    {
        var (options, formatters) = GatewayConsole();
        var output = new RecordingStream();
        var provider = new BatchingConsoleLoggerProvider(options, formatters, output, new RecordingStream(), Utf8);
        var logger = provider.CreateLogger("Pacer.Test");
        logger.LogInformation("before");
        provider.Dispose();

        logger.LogInformation("after");

        Lines(output.Text()).ShouldBe(["before", "after"]);
    }

    // The gateway's console settings (GatewayApplication), resolved as the host resolves them.
    private static (ConsoleLoggerOptions Options, IReadOnlyList<ConsoleFormatter> Formatters) GatewayConsole()
    {
        var services = new ServiceCollection().AddLogging(logging => logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        })).BuildServiceProvider();
        return (services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue, [.. services.GetServices<ConsoleFormatter>()]);
    }

    // The same, with the gateway's timestamp taken over by the logger (GatewayApplication on Linux and macOS).
    private static (ConsoleLoggerOptions Options, IReadOnlyList<ConsoleFormatter> Formatters, ConsoleTimestamp Timestamp) GatewayConsoleWithTimestamp()
    {
        var services = new ServiceCollection()
            .AddSingleton<ConsoleTimestamp>()
            .AddSingleton<IPostConfigureOptions<SimpleConsoleFormatterOptions>>(sp => sp.GetRequiredService<ConsoleTimestamp>())
            .AddLogging(logging => logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = ConsoleTimestamp.Pattern;
            })).BuildServiceProvider();
        var formatters = services.GetServices<ConsoleFormatter>().ToList();
        return (services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue, formatters, services.GetRequiredService<ConsoleTimestamp>());
    }

    private static string WithoutTimestamps(string text) => Timestamp().Replace(text, "<time> ");

    // The message of each line, after "info: Pacer.Test[0] " and the like.
    private static List<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..])];

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")]
    private static partial Regex Timestamp();

    /// <summary>A console stand-in that keeps what was written, safe to read while the writer thread writes.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly Lock _gate = new();
        private readonly MemoryStream _bytes = new();
        private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Written => _written.Task;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public string Text()
        {
            lock (_gate)
            {
                return Encoding.UTF8.GetString(_bytes.ToArray());
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_gate)
            {
                _bytes.Write(buffer);
            }

            _written.TrySetResult();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
