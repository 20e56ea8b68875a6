using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Pacer.Configuration;

/// <summary>
/// Reads <see cref="PacerOptions"/> from configuration. For each setting the seed's environment variable
/// (for example <c>ANTHROPIC_RATE_LIMIT_PER_MINUTE</c>, from the process environment or a <c>.env</c> file) wins over
/// the <c>Pacer:</c> section (for example <c>appsettings.json</c>); a setting given nowhere keeps its default.
/// </summary>
public static class PacerConfiguration
{
    /// <summary>
    /// The environment variable (and <c>.env</c> key) that turns on the extended ranges (<see cref="PacerOptions.ExtendedRanges"/>):
    /// <c>true</c> or <c>false</c>; in <c>appsettings.json</c>, <c>Pacer:ExtendedRanges</c>.
    /// </summary>
    public const string ExtendedRangesVariable = "PACER_EXTENDED_RANGES";

    /// <summary>
    /// Adds the usual sources in precedence order: <c>appsettings.json</c>, then <c>.env</c> in
    /// <paramref name="directory"/>, then the process environment (which wins over <c>.env</c>, as with dotenv).
    /// </summary>
    public static IConfigurationBuilder AddPacerSources(this IConfigurationBuilder builder, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        directory ??= Directory.GetCurrentDirectory();
        return builder
            .AddJsonFile(Path.Combine(directory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddDotEnvFile(Path.Combine(directory, ".env"), optional: true)
            .AddEnvironmentVariables();
    }

    /// <summary>Reads and validates the settings; throws <see cref="PacerOptionsException"/> listing every invalid field.</summary>
    public static PacerOptions Bind(IConfiguration configuration)
    {
        var options = Bind(configuration, out var errors);
        return errors.Count == 0 ? options : throw new PacerOptionsException(errors);
    }

    /// <summary>Reads the settings, reporting every value that does not parse or is out of range.</summary>
    public static PacerOptions Bind(IConfiguration configuration, out IReadOnlyList<SettingError> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var found = new List<SettingError>();
        var section = configuration.GetSection(PacerOptions.SectionName);
        var options = new PacerOptions { ExtendedRanges = ReadExtendedRanges(configuration, section, found) };
        foreach (var setting in PacerSettings.All)
        {
            var (field, text) = configuration[setting.EnvironmentVariable] is { } fromEnvironment
                ? (setting.EnvironmentVariable, fromEnvironment)
                : ($"{PacerOptions.SectionName}:{setting.Name}", section[setting.Name]);
            if (text is null)
            {
                continue;
            }

            if (!TryParse(setting, text, out var value))
            {
                found.Add(new SettingError(field, text, $"is not a {PacerSettings.KindOf(setting)}; allowed {setting.RangeText}"));
            }
            else if (setting.Check(value, options.ExtendedRanges) is { } reason)
            {
                found.Add(new SettingError(field, text, reason));
            }
            else
            {
                options = setting.Set(options, value);
            }
        }

        errors = found;
        return options;
    }

    // Read first: the other settings are checked against the ranges it puts in force. Anything but true/false is an
    // error (the seed's ranges then apply to the rest, so a value above them is reported too).
    private static bool ReadExtendedRanges(IConfiguration configuration, IConfigurationSection section, List<SettingError> found)
    {
        var (field, text) = configuration[ExtendedRangesVariable] is { } fromEnvironment
            ? (ExtendedRangesVariable, fromEnvironment)
            : ($"{PacerOptions.SectionName}:{nameof(PacerOptions.ExtendedRanges)}", section[nameof(PacerOptions.ExtendedRanges)]);
        if (text is null)
        {
            return PacerDefaults.ExtendedRanges;
        }

        if (bool.TryParse(text.Trim(), out var extended))
        {
            return extended;
        }

        found.Add(new SettingError(field, text, "must be true or false"));
        return PacerDefaults.ExtendedRanges;
    }

    private static bool TryParse(PacerSetting setting, string text, out double value)
    {
        text = text.Trim();
        return PacerSettings.TryParseWord(setting, text, out value) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
