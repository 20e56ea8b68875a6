using System.Globalization;

namespace Pacer.Configuration;

/// <summary>
/// Describes one setting of <see cref="PacerOptions"/>: its names in every source, its default and its allowed range.
/// The table in <see cref="PacerSettings"/> drives binding, validation and the admin API alike.
/// </summary>
public sealed class PacerSetting
{
    internal PacerSetting(
        string name,
        string jsonName,
        string environmentVariable,
        double minimum,
        double maximum,
        bool wholeNumber,
        string unit,
        Func<PacerOptions, double> get,
        Func<PacerOptions, double, PacerOptions> set,
        double? extendedMaximum = null)
    {
        Name = name;
        JsonName = jsonName;
        EnvironmentVariable = environmentVariable;
        Minimum = minimum;
        Maximum = maximum;
        ExtendedMaximum = extendedMaximum ?? maximum;
        WholeNumber = wholeNumber;
        Unit = unit;
        Get = get;
        Set = set;
    }

    /// <summary>Gets the property name on <see cref="PacerOptions"/> and the key under the <c>Pacer</c> configuration section.</summary>
    public string Name { get; }

    /// <summary>Gets the camelCase name used by the admin API (as in the seed's JSON).</summary>
    public string JsonName { get; }

    /// <summary>Gets the environment variable (and <c>.env</c> key) that sets this value.</summary>
    public string EnvironmentVariable { get; }

    /// <summary>Gets the smallest allowed value.</summary>
    public double Minimum { get; }

    /// <summary>Gets the largest allowed value under the seed's ranges (the default).</summary>
    public double Maximum { get; }

    /// <summary>
    /// Gets the largest allowed value with <c>PACER_EXTENDED_RANGES=true</c> (<see cref="PacerOptions.ExtendedRanges"/>);
    /// equal to <see cref="Maximum"/> for a setting that it does not widen.
    /// </summary>
    public double ExtendedMaximum { get; }

    /// <summary>Gets a value indicating whether <c>PACER_EXTENDED_RANGES=true</c> widens this setting's range.</summary>
    public bool IsWidenedByExtendedRanges => ExtendedMaximum > Maximum;

    /// <summary>Gets a value indicating whether only whole numbers are allowed.</summary>
    public bool WholeNumber { get; }

    /// <summary>Gets the unit shown in messages (for example <c>ms</c>), or an empty string.</summary>
    public string Unit { get; }

    /// <summary>Gets the function that reads this setting's value from a <see cref="PacerOptions"/>.</summary>
    public Func<PacerOptions, double> Get { get; }

    internal Func<PacerOptions, double, PacerOptions> Set { get; }

    /// <summary>Gets the allowed range under the seed's ranges as text, for example <c>1-1000</c> or <c>100-10000 ms</c>.</summary>
    public string RangeText => RangeTextUnder(extendedRanges: false);

    /// <summary>Gets the largest allowed value under the ranges in force.</summary>
    /// <param name="extendedRanges">Whether <c>PACER_EXTENDED_RANGES=true</c> is in force.</param>
    public double MaximumUnder(bool extendedRanges) => extendedRanges ? ExtendedMaximum : Maximum;

    /// <summary>Gets the allowed range under the ranges in force as text, for example <c>1-100000</c>.</summary>
    /// <param name="extendedRanges">Whether <c>PACER_EXTENDED_RANGES=true</c> is in force.</param>
    public string RangeTextUnder(bool extendedRanges) =>
        string.Create(CultureInfo.InvariantCulture, $"{Minimum}-{MaximumUnder(extendedRanges)}{(Unit.Length == 0 ? string.Empty : " " + Unit)}");

    /// <summary>
    /// Checks one candidate value under the ranges in force; returns null when it is allowed, else the reason. A value
    /// above the seed's range that extended ranges would allow names the setting that widens it.
    /// </summary>
    internal string? Check(double value, bool extendedRanges)
    {
        var range = RangeTextUnder(extendedRanges);
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return $"must be a number in {range}";
        }

        if (WholeNumber && value != Math.Floor(value))
        {
            return $"must be a whole number in {range}";
        }

        if (value < Minimum || value > MaximumUnder(extendedRanges))
        {
            return value > Maximum && !extendedRanges && IsWidenedByExtendedRanges
                ? string.Create(CultureInfo.InvariantCulture, $"is out of range; allowed {range} (set {PacerConfiguration.ExtendedRangesVariable}=true to allow up to {ExtendedMaximum})")
                : $"is out of range; allowed {range}";
        }

        return null;
    }
}
