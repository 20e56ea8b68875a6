namespace Pacer.Simulator.Options;

/// <summary>
/// The acceleration (ramp) limit: a request is refused with 429 <c>ramp_limit_exceeded</c> when the recent request rate
/// (averaged over <see cref="ShortWindowSeconds"/>) exceeds <see cref="Factor"/> times the longer-term rate
/// (averaged over <see cref="LongWindowSeconds"/>, but never below <see cref="FloorRequestsPerMinute"/>).
/// </summary>
public sealed class AccelerationOptions
{
    /// <summary>Whether the limit is enforced. <value>The default is false.</value></summary>
    public bool Enabled { get; set; }

    /// <summary>How many times the long-term rate the short-term rate may reach. <value>The default is 4.</value></summary>
    public double Factor { get; set; } = 4;

    /// <summary>Rate (requests per minute) below which no ramp is refused. <value>The default is 20.</value></summary>
    public double FloorRequestsPerMinute { get; set; } = 20;

    /// <summary>Time constant of the short-term rate in seconds. <value>The default is 10.</value></summary>
    public double ShortWindowSeconds { get; set; } = 10;

    /// <summary>Time constant of the long-term rate in seconds. <value>The default is 300.</value></summary>
    public double LongWindowSeconds { get; set; } = 300;
}
