namespace Pacer.Simulator.Options;

/// <summary>The limits of one model pool (a model class sharing one set of buckets), overriding the defaults.</summary>
public sealed class PoolLimitOptions
{
    /// <summary>The pool's name, as in <see cref="ModelOptions.Pool"/>, for example <c>sonnet-4</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Requests per minute; null keeps <see cref="LimitOptions.RequestsPerMinute"/>.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Input tokens per minute; null keeps <see cref="LimitOptions.InputTokensPerMinute"/>.</summary>
    public int? InputTokensPerMinute { get; set; }

    /// <summary>Output tokens per minute; null keeps <see cref="LimitOptions.OutputTokensPerMinute"/>.</summary>
    public int? OutputTokensPerMinute { get; set; }
}
