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
        Func<PacerOptions, double, PacerOptions> set)
    {
        Name = name;
        JsonName = jsonName;
        EnvironmentVariable = environmentVariable;
        Minimum = minimum;
        Maximum = maximum;
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

    /// <summary>Gets the largest allowed value.</summary>
    public double Maximum { get; }

    /// <summary>Gets a value indicating whether only whole numbers are allowed.</summary>
    public bool WholeNumber { get; }

    /// <summary>Gets the unit shown in messages (for example <c>ms</c>), or an empty string.</summary>
    public string Unit { get; }

    internal Func<PacerOptions, double> Get { get; }

    internal Func<PacerOptions, double, PacerOptions> Set { get; }

    /// <summary>Gets the allowed range as text, for example <c>1-1000</c> or <c>100-10000 ms</c>.</summary>
    public string RangeText =>
        string.Create(CultureInfo.InvariantCulture, $"{Minimum}-{Maximum}{(Unit.Length == 0 ? string.Empty : " " + Unit)}");

    /// <summary>Checks one candidate value; returns null when it is allowed, else the reason.</summary>
    internal string? Check(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return $"must be a number in {RangeText}";
        }

        if (WholeNumber && value != Math.Floor(value))
        {
            return $"must be a whole number in {RangeText}";
        }

        return value < Minimum || value > Maximum ? $"is out of range; allowed {RangeText}" : null;
    }
}
