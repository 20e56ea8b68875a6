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
}
