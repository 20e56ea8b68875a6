namespace Pacer.Simulator.Options;

/// <summary>Faults at random rates, and how long the slow faults last.</summary>
public sealed class FaultOptions
{
    /// <summary>
    /// Probability of each fault per request, as comma-separated <c>step=probability</c> pairs where a step is written
    /// as in a fault script, for example <c>529=0.05, 429:none=0.01, reset=0.01, cut:3=0.02</c>. One draw per request
    /// picks at most one fault, so the probabilities must add up to at most 1. <value>The default is empty (no random faults).</value>
    /// </summary>
    public string Rates { get; set; } = "";

    /// <summary><c>retry-after</c> seconds of an injected 429 that names none. <value>The default is 1.</value></summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Extra delay of a <c>slow</c> fault that names none, in milliseconds. <value>The default is 5000.</value></summary>
    public int SlowFirstTokenMs { get; set; } = 5000;

    /// <summary>How long <c>stall</c> and <c>no-response</c> hold the connection before closing it, in milliseconds. <value>The default is 600000.</value></summary>
    public int HangMs { get; set; } = 600_000;
}
