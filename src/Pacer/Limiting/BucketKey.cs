namespace Pacer.Limiting;

/// <summary>The upstream budgets a request draws on: one upstream API key (by a non-secret identifier) and one model class.</summary>
/// <param name="UpstreamKey">A non-secret identifier of the upstream API key (a hash, never the key itself).</param>
/// <param name="ModelClass">The model class, for example <c>claude-sonnet-4</c> (see <see cref="ModelClassMap"/>).</param>
public readonly record struct BucketKey(string UpstreamKey, string ModelClass);
