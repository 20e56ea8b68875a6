using System.Globalization;

namespace Pacer.Configuration;

/// <summary>Validates a whole <see cref="PacerOptions"/> snapshot and reports every invalid field at once.</summary>
public static class PacerOptionsValidator
{
    /// <summary>
    /// Returns every invalid field of <paramref name="options"/>, named by <paramref name="naming"/>, under the ranges in
    /// force (<see cref="PacerOptions.ExtendedRanges"/>); empty when valid.
    /// </summary>
    public static IReadOnlyList<SettingError> Validate(PacerOptions options, SettingNaming naming = SettingNaming.Property)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<SettingError>? errors = null;
        foreach (var setting in PacerSettings.All)
        {
            var value = setting.Get(options);
            if (setting.Check(value, options.ExtendedRanges) is { } reason)
            {
                (errors ??= []).Add(new SettingError(NameOf(setting, naming), value.ToString(CultureInfo.InvariantCulture), reason));
            }
        }

        return errors ?? (IReadOnlyList<SettingError>)[];
    }

    /// <summary>Throws <see cref="PacerOptionsException"/> listing every invalid field, or returns <paramref name="options"/>.</summary>
    public static PacerOptions ThrowIfInvalid(PacerOptions options, SettingNaming naming = SettingNaming.Property)
    {
        var errors = Validate(options, naming);
        return errors.Count == 0 ? options : throw new PacerOptionsException(errors);
    }

    internal static string NameOf(PacerSetting setting, SettingNaming naming) => naming switch
    {
        SettingNaming.Json => setting.JsonName,
        SettingNaming.Environment => setting.EnvironmentVariable,
        _ => setting.Name,
    };
}

/// <summary>Which of a setting's names to use in error messages.</summary>
public enum SettingNaming
{
    /// <summary>The property name, for example <c>MaxRequestsPerMinute</c>.</summary>
    Property,

    /// <summary>The admin API's camelCase name, for example <c>maxRequestsPerMinute</c>.</summary>
    Json,

    /// <summary>The environment variable, for example <c>ANTHROPIC_RATE_LIMIT_PER_MINUTE</c>.</summary>
    Environment,
}
