using System.Globalization;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Pacer.Gateway.Operations;

/// <summary>
/// The console lines' UTC timestamp (<see cref="Pattern"/>), written by the gateway's console logger instead of the
/// simple formatter: the formatter formats it with <see cref="DateTimeOffset.ToString(string)"/> and a custom pattern,
/// parsed again for every line (eight lines a request: a fortieth of the gateway's CPU at 1,000 requests a second,
/// docs/BENCHMARKS.md, "Overhead"). When the simple formatter is configured with exactly this pattern in UTC, this
/// takes it over: the formatter is given no timestamp, and <see cref="BatchingConsoleLogger"/> writes the same
/// characters in front of each line itself. Any other pattern, local time or a culture whose time separator is not
/// <c>:</c> is left to the formatter.
/// </summary>
internal sealed class ConsoleTimestamp(TimeProvider? clock = null) : IPostConfigureOptions<SimpleConsoleFormatterOptions>
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The gateway's timestamp pattern (GatewayApplication), a space included.</summary>
    public const string Pattern = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <summary>The number of characters <see cref="Write"/> writes.</summary>
    public const int Length = 25;

    /// <summary>Gets a value indicating whether the simple formatter's timestamp was taken over.</summary>
    public bool TookOver { get; private set; }

    /// <summary>Writes the time now, as <see cref="Write(DateTime, Span{char})"/> does.</summary>
    public void WriteNow(Span<char> destination) => Write(_clock.GetUtcNow().UtcDateTime, destination);

    /// <summary>Writes <paramref name="utc"/> as <see cref="Pattern"/> formats it: <c>2026-12-05T01:02:03.456Z </c>.</summary>
    public static void Write(DateTime utc, Span<char> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        Digits(destination[..4], utc.Year);
        destination[4] = '-';
        Digits(destination.Slice(5, 2), utc.Month);
        destination[7] = '-';
        Digits(destination.Slice(8, 2), utc.Day);
        destination[10] = 'T';
        Digits(destination.Slice(11, 2), utc.Hour);
        destination[13] = ':';
        Digits(destination.Slice(14, 2), utc.Minute);
        destination[16] = ':';
        Digits(destination.Slice(17, 2), utc.Second);
        destination[19] = '.';
        // "fff" truncates the fraction of the second to milliseconds; it does not round.
        Digits(destination.Slice(20, 3), (int)(utc.Ticks / TimeSpan.TicksPerMillisecond % 1000));
        destination[23] = 'Z';
        destination[24] = ' ';
    }

    /// <inheritdoc />
    public void PostConfigure(string? name, SimpleConsoleFormatterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var format = CultureInfo.CurrentCulture.DateTimeFormat;
        if (name == Options.DefaultName && options.TimestampFormat == Pattern && options.UseUtcTimestamp
            && format.TimeSeparator == ":" && format.Calendar is GregorianCalendar)
        {
            options.TimestampFormat = null;
            TookOver = true;
        }
    }

    private static void Digits(Span<char> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }
}
