using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pacer.Usage;

/// <summary>The usage ledger's log messages (source-generated). The cost lines are the seed's, character for character.</summary>
internal static partial class UsageLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "💰 Cost calculated for {Model}{Batch}:")]
    public static partial void CostCalculated(ILogger logger, string model, string batch);

    /// <summary>The template of <see cref="TokenCost"/>: its structured fields' names and formats.</summary>
    public const string TokenCostFormat = "   {Kind} tokens: {Tokens} @ ${PricePerMillion:0.00######}/1M = ${Cost:0.0000##########}";

    /// <summary>The template of <see cref="TotalCost"/>.</summary>
    public const string TotalCostFormat = "   Total cost: ${TotalCost:0.0000##########} ({Credits} {CreditUnit})";

    private static readonly EventId TokenCostEvent = new(5002, nameof(TokenCost));
    private static readonly EventId TotalCostEvent = new(5003, nameof(TotalCost));

    /// <summary>
    /// One of the seed's 💰 lines, written as the source generator would write it (same event, fields and text) but
    /// without its <c>object[]</c>: a template with formats goes through <c>LoggerMessage.Define</c>'s formatter, which
    /// boxes every value into an array and walks the template again for every line (two to five lines a request).
    /// </summary>
    public static void TokenCost(ILogger logger, string kind, int tokens, decimal pricePerMillion, decimal cost)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, TokenCostEvent, new TokenCostLine(kind, tokens, pricePerMillion, cost), null, static (line, _) => line.ToString());
        }
    }

    /// <summary>The 💰 block's total line, as <see cref="TokenCost"/> writes its lines.</summary>
    public static void TotalCost(ILogger logger, decimal totalCost, long credits, string creditUnit)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, TotalCostEvent, new TotalCostLine(totalCost, credits, creditUnit), null, static (line, _) => line.ToString());
        }
    }

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "💰 No price for model {Model}: its {InputTokens} input and {OutputTokens} output tokens are recorded with cost unknown. Add the model to the price book ({PriceBookSource}).")]
    public static partial void UnknownModel(ILogger logger, string model, int inputTokens, int outputTokens, string priceBookSource);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Usage ledger buffer full for {WaitMs} ms: usage record of {User} {Endpoint} {RequestId} dropped ({Dropped} dropped so far).")]
    public static partial void RecordDropped(ILogger logger, long waitMs, string user, string endpoint, string? requestId, long dropped);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Error, Message = "Usage ledger write of {Count} records failed; retrying in {RetryMs} ms.")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int count, long retryMs);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Usage ledger {Store} ready (schema version {Version}).")]
    public static partial void LedgerOpened(ILogger logger, string store, int version);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "Usage ledger closed with {Count} records unwritten.")]
    public static partial void RecordsLostOnClose(ILogger logger, int count);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Error, Message = "Usage of a request to {Endpoint} could not be recorded.")]
    public static partial void RecordFailed(ILogger logger, Exception exception, string endpoint);

    /// <summary>A token line's structured fields (<c>{OriginalFormat}</c> last, as the generator's) and its text.</summary>
    private readonly struct TokenCostLine(string kind, int tokens, decimal pricePerMillion, decimal cost) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 5;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("Kind", kind),
            1 => new("Tokens", tokens),
            2 => new("PricePerMillion", pricePerMillion),
            3 => new("Cost", cost),
            4 => new("{OriginalFormat}", TokenCostFormat),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Fields(this);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"   {kind} tokens: {tokens} @ ${new Decimals(pricePerMillion, 2, 8)}/1M = ${new Decimals(cost, 4, 14)}");
    }

    /// <summary>The total line's structured fields and its text.</summary>
    private readonly struct TotalCostLine(decimal totalCost, long credits, string creditUnit) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 4;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("TotalCost", totalCost),
            1 => new("Credits", credits),
            2 => new("CreditUnit", creditUnit),
            3 => new("{OriginalFormat}", TotalCostFormat),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Fields(this);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"   Total cost: ${new Decimals(totalCost, 4, 14)} ({credits} {creditUnit})");
    }

    /// <summary>
    /// A decimal as the custom pattern <c>0.</c> + <paramref name="Min"/> zeros + up to <paramref name="Max"/> in all
    /// <c>#</c> writes it (<c>0.0000##########</c> is 4 and 14), without parsing the pattern for every line: the
    /// standard <c>F</c> format rounds to <paramref name="Max"/> decimals as the pattern does (half away from zero),
    /// then trailing zeros past <paramref name="Min"/> are dropped. A negative value keeps the pattern itself, whose
    /// sign rules for a value that rounds to zero differ from <c>F</c>'s (costs and prices are never negative).
    /// </summary>
    internal readonly record struct Decimals(decimal Value, int Min, int Max) : ISpanFormattable
    {
        private static readonly string[] FixedFormats = ["F0", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "F13", "F14", "F15"];

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            if (Value < 0m || Max >= FixedFormats.Length)
            {
                return Value.TryFormat(destination, out charsWritten, Pattern(), CultureInfo.InvariantCulture);
            }

            if (!Value.TryFormat(destination, out charsWritten, FixedFormats[Max], CultureInfo.InvariantCulture))
            {
                return false;
            }

            var drop = 0;
            while (drop < Max - Min && destination[charsWritten - 1 - drop] == '0')
            {
                drop++;
            }

            charsWritten -= drop;
            if (Min == 0 && drop == Max)
            {
                charsWritten--; // the decimal point, when no decimal is left
            }

            return true;
        }

        public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{this}");

        /// <summary>The custom pattern these decimals stand for, e.g. <c>0.0000##########</c>.</summary>
        public string Pattern() => Max == 0 ? "0" : "0." + new string('0', Min) + new string('#', Max - Min);
    }

    private static IEnumerator<KeyValuePair<string, object?>> Fields(IReadOnlyList<KeyValuePair<string, object?>> line)
    {
        for (var i = 0; i < line.Count; i++)
        {
            yield return line[i];
        }
    }
}
