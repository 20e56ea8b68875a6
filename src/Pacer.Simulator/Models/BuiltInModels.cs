using Pacer.Simulator.Options;

namespace Pacer.Simulator.Models;

/// <summary>The catalog served when none is configured: current and recent Claude models with their pools and prices.</summary>
internal static class BuiltInModels
{
    public static IReadOnlyList<ModelOptions> All { get; } =
    [
        Model("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24", "opus", "opus-4", 64_000, 5m, 25m, false, "claude-opus-4-5"),
        Model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15", "haiku", "haiku-4-5", 64_000, 1m, 5m, false, "claude-haiku-4-5"),
        Model("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29", "sonnet", "sonnet-4", 64_000, 3m, 15m, false, "claude-sonnet-4-5"),
        Model("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05", "opus", "opus-4", 32_000, 15m, 75m, false, "claude-opus-4-1"),
        Model("claude-opus-4-20250514", "Claude Opus 4", "2025-05-22", "opus", "opus-4", 32_000, 15m, 75m, false, "claude-opus-4-0"),
        Model("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22", "sonnet", "sonnet-4", 64_000, 3m, 15m, false, "claude-sonnet-4-0"),
        Model("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24", "sonnet", "sonnet-3-7", 64_000, 3m, 15m, false, "claude-3-7-sonnet-latest"),
        Model("claude-3-5-sonnet-20241022", "Claude Sonnet 3.5 (New)", "2024-10-22", "sonnet", "sonnet-3-5", 8_192, 3m, 15m, true, "claude-3-5-sonnet-latest"),
        Model("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22", "haiku", "haiku-3-5", 8_192, 0.8m, 4m, true, "claude-3-5-haiku-latest"),
        Model("claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07", "haiku", "haiku-3", 4_096, 0.25m, 1.25m, true),
    ];

    private static ModelOptions Model(
        string id, string displayName, string created, string line, string pool, int maxOutput,
        decimal inputPrice, decimal outputPrice, bool cacheReadsCount, params string[] aliases) => new()
        {
            Id = id,
            DisplayName = displayName,
            CreatedAt = DateTimeOffset.Parse(created + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Line = line,
            Pool = pool,
            MaxOutputTokens = maxOutput,
            InputPricePerMillion = inputPrice,
            OutputPricePerMillion = outputPrice,
            CacheReadsCountTowardInput = cacheReadsCount,
            Aliases = aliases,
        };
}
