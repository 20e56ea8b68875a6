namespace Pacer.Simulator.Options;

/// <summary>
/// Everything the simulator can be told, bound from the <c>Simulator</c> configuration section or set in code.
/// Defaults model a Tier 1 organization (50 RPM, 30,000 input and 8,000 output tokens per minute).
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Simulator";

    /// <summary>The address to listen on. <value>The default is 127.0.0.1 (loopback only).</value></summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free port. <value>The default is 0.</value></summary>
    public int Port { get; set; }

    /// <summary>
    /// API keys the simulator accepts (x-api-key or authorization: Bearer). When empty, any non-empty key is accepted
    /// and gets its own limits. <value>The default is empty (any key).</value>
    /// </summary>
    public IList<string> ApiKeys { get; set; } = [];

    /// <summary>The value of the <c>anthropic-organization-id</c> header. <value>The default is a fixed UUID.</value></summary>
    public string OrganizationId { get; set; } = SimulatorDefaults.OrganizationId;

    /// <summary>Largest accepted request body in bytes; larger gets 413 <c>request_too_large</c>. <value>The default is 32 MB.</value></summary>
    public long MaxRequestBodyBytes { get; set; } = SimulatorDefaults.MaxRequestBodyBytes;

    /// <summary>Seed of every random draw (reply text and length, jitter, random faults, ids). <value>The default is 1.</value></summary>
    public int Seed { get; set; } = 1;

    /// <summary>How many attempts the control API's log keeps (oldest dropped first). <value>The default is 10000.</value></summary>
    public int AttemptLogCapacity { get; set; } = 10_000;

    /// <summary>Rate limits: buckets per API key and model pool.</summary>
    public LimitOptions Limits { get; set; } = new();

    /// <summary>Models served; when empty the built-in catalog is used.</summary>
    public IList<ModelOptions> Models { get; set; } = [];

    /// <summary>How long replies are.</summary>
    public OutputOptions Output { get; set; } = new();

    /// <summary>Time to first token and generation speed.</summary>
    public LatencyOptions Latency { get; set; } = new();

    /// <summary>Faults injected at random rates, and fault timings.</summary>
    public FaultOptions Faults { get; set; } = new();

    /// <summary>Monthly spend cap per API key.</summary>
    public SpendOptions Spend { get; set; } = new();

    /// <summary>Acceleration (ramp) limit on sharp rises of traffic.</summary>
    public AccelerationOptions Acceleration { get; set; } = new();

    /// <summary>Prompt caching (<c>cache_control</c> blocks).</summary>
    public PromptCacheOptions PromptCache { get; set; } = new();
}
