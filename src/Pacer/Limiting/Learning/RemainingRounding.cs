namespace Pacer.Limiting;

/// <summary>
/// The API rounds the token "remaining" headers to the nearest thousand (a bucket whose limit is below a thousand shows
/// exact values): a header of 3,000 means anything from 2,500 to 3,499.
/// </summary>
internal static class RemainingRounding
{
    /// <summary>The rounding step of the token "remaining" headers.</summary>
    public const long Step = 1000;

    /// <summary>Below this many steps of capacity, a learned bucket is small compared with the rounding.</summary>
    public const long SmallBucketSteps = 10;

    /// <summary>Gets how far the true remaining may lie below the header: half the step, or 0 when the values are exact.</summary>
    public static double Margin(long limit) => limit >= Step ? Step / 2 : 0;

    /// <summary>
    /// Gets what the limiter subtracts from an input-tokens remaining header: half the step, widened to the whole step
    /// when the server's bucket (<paramref name="capacity"/>, 0 when unknown) holds fewer than
    /// <see cref="SmallBucketSteps"/> steps. On such a bucket the rounding's worst case leaves no room for the other
    /// errors of the local count (an input estimate short of the server's count, a refill the server could not hold),
    /// and each 429 closes the bucket for a cooldown that is a large share of the bucket's refill time.
    /// </summary>
    public static double InputMargin(long limit, double capacity) =>
        limit < Step ? 0 : capacity > 0 && capacity < SmallBucketSteps * Step ? Step : Step / 2;
}
