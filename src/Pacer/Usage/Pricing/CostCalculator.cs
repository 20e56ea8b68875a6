using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pacer.Limiting;

namespace Pacer.Usage;

/// <summary>
/// Prices a request's <c>usage</c> with the <see cref="PriceBook"/> in decimal arithmetic, converts it to credits,
/// and logs the seed's 💰 lines. An unknown model is logged once as a warning and priced as unknown (null).
/// </summary>
public sealed class CostCalculator
{
    private const decimal Million = 1_000_000m;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _warnedModels = new(StringComparer.Ordinal);

    /// <summary>Creates a calculator over <paramref name="priceBook"/> (the shipped one when null).</summary>
    public CostCalculator(PriceBook? priceBook = null, CreditOptions? credits = null, ILogger<CostCalculator>? logger = null)
    {
        PriceBook = priceBook ?? PriceBook.Default;
        Credits = credits ?? new CreditOptions();
        if (Credits.CreditValueUsd <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(credits), Credits.CreditValueUsd, "The value of one credit must be positive.");
        }

        _logger = logger ?? NullLogger<CostCalculator>.Instance;
    }

    /// <summary>Gets the prices in use.</summary>
    public PriceBook PriceBook { get; }

    /// <summary>Gets how dollars become credits.</summary>
    public CreditOptions Credits { get; }

    /// <summary>
    /// Prices one request's usage and logs it. <paramref name="cacheCreation"/>, when the response gave it, splits
    /// the cache writes into 5-minute and 1-hour writes; without it every cache write is a 5-minute write.
    /// <paramref name="batch"/> applies the Message Batches discount.
    /// </summary>
    public UsageCost Calculate(string model, TokenUsage usage, CacheCreation? cacheCreation = null, bool batch = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (write5m, write1h) = cacheCreation is { } split
            ? (split.Ephemeral5mInputTokens, split.Ephemeral1hInputTokens)
            : (usage.CacheCreationInputTokens, 0);
        if (!PriceBook.TryGetPrice(model, out var price))
        {
            WarnUnknown(model, usage);
            return new UsageCost { Model = model, Usage = usage, CacheWrite5mTokens = write5m, CacheWrite1hTokens = write1h, Batch = batch };
        }

        var factor = batch ? 1m - PriceBook.BatchDiscount : 1m;
        decimal Cost(int tokens, decimal perMillion) => tokens * perMillion * factor / Million;
        var cost = new UsageCost
        {
            Model = model,
            Price = price,
            Usage = usage,
            CacheWrite5mTokens = write5m,
            CacheWrite1hTokens = write1h,
            Batch = batch,
            InputCost = Cost(usage.InputTokens, price.Input),
            OutputCost = Cost(usage.OutputTokens, price.Output),
            CacheWrite5mCost = Cost(write5m, price.CacheWrite5m),
            CacheWrite1hCost = Cost(write1h, price.CacheWrite1h),
            CacheReadCost = Cost(usage.CacheReadInputTokens, price.CacheRead),
        };
        var total = cost.InputCost!.Value + cost.OutputCost!.Value + cost.CacheWrite5mCost!.Value
            + cost.CacheWrite1hCost!.Value + cost.CacheReadCost!.Value;
        cost = cost with { TotalCost = total, Credits = Credits.ToCredits(total) };
        Log(cost, factor);
        return cost;
    }

    /// <summary>
    /// The most credits a request can cost before it is sent: its estimated input and all of its <c>max_tokens</c>
    /// priced as output. Null when the model is unknown.
    /// </summary>
    public long? EstimateCredits(string model, RequestCost cost, bool batch = false)
    {
        if (!PriceBook.TryGetPrice(model, out var price))
        {
            return null;
        }

        var factor = batch ? 1m - PriceBook.BatchDiscount : 1m;
        var usd = ((decimal)cost.InputTokens * price.Input + (decimal)cost.OutputTokens * price.Output) * factor / Million;
        return Credits.ToCredits(usd);
    }

    private void Log(UsageCost cost, decimal factor)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var price = cost.Price!;
        UsageLog.CostCalculated(_logger, cost.Model, cost.Batch ? " (batch)" : string.Empty);
        UsageLog.TokenCost(_logger, "Input", cost.Usage.InputTokens, price.Input * factor, cost.InputCost!.Value);
        UsageLog.TokenCost(_logger, "Output", cost.Usage.OutputTokens, price.Output * factor, cost.OutputCost!.Value);
        if (cost.CacheWrite5mTokens != 0)
        {
            UsageLog.TokenCost(_logger, "Cache write (5m)", cost.CacheWrite5mTokens, price.CacheWrite5m * factor, cost.CacheWrite5mCost!.Value);
        }

        if (cost.CacheWrite1hTokens != 0)
        {
            UsageLog.TokenCost(_logger, "Cache write (1h)", cost.CacheWrite1hTokens, price.CacheWrite1h * factor, cost.CacheWrite1hCost!.Value);
        }

        if (cost.Usage.CacheReadInputTokens != 0)
        {
            UsageLog.TokenCost(_logger, "Cache read", cost.Usage.CacheReadInputTokens, price.CacheRead * factor, cost.CacheReadCost!.Value);
        }

        UsageLog.TotalCost(_logger, cost.TotalCost!.Value, cost.Credits!.Value, cost.Credits == 1 ? "credit" : "credits");
    }

    private void WarnUnknown(string model, TokenUsage usage)
    {
        // Once per model: an unpriced model in steady use would otherwise flood the log.
        if (_warnedModels.TryAdd(model, 0))
        {
            UsageLog.UnknownModel(_logger, model, usage.InputTokens, usage.OutputTokens, PriceBook.Source);
        }
    }
}
