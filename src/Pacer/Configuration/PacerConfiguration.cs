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
        var options = new PacerOptions();
        var found = new List<SettingError>();
        var section = configuration.GetSection(PacerOptions.SectionName);
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
            else if (setting.Check(value) is { } reason)
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

    private static bool TryParse(PacerSetting setting, string text, out double value)
    {
        text = text.Trim();
        return PacerSettings.TryParseWord(setting, text, out value) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
