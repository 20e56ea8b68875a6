using System.Globalization;

namespace Pacer.Goodput.Reporting;

/// <summary>Numbers as the reports print them, always in the invariant culture.</summary>
internal static class Format
{
    public static string Number(double value, int decimals = 0) =>
        double.IsNaN(value) ? "n/a" : value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan value) => Number(value.TotalSeconds, 1) + " s";

    public static string Milliseconds(double value) => Number(value, value < 10 ? 2 : 0) + " ms";

    public static string Percent(double share) => Number(share * 100, 1) + " %";

    public static string Ratio(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.00", CultureInfo.InvariantCulture) + "×";
}
