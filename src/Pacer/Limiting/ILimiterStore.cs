namespace Pacer.Limiting;

/// <summary>
/// Where the limiter keeps its shared state (rate windows, token buckets, cooldowns), so that a store shared between
/// processes can replace the in-memory one without touching the engine. Its members are defined with the limiter.
/// </summary>
public interface ILimiterStore
{
}
