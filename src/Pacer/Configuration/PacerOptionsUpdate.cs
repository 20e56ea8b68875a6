using System.Globalization;
using System.Text.Json;

namespace Pacer.Configuration;

/// <summary>
/// A partial change to the settings: any subset of fields. It is validated whole against the current snapshot
/// and applied all-or-nothing.
/// </summary>
public sealed class PacerOptionsUpdate
{
    private readonly Dictionary<PacerSetting, double> _values = [];

    /// <summary>Gets the fields that this update sets, with their new values.</summary>
    public IReadOnlyDictionary<PacerSetting, double> Values => _values;

    /// <summary>Sets one field by any of its names (property, camelCase or environment variable).</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public PacerOptionsUpdate Set(string name, double value)
    {
        var setting = PacerSettings.Find(name) ?? throw new ArgumentException($"Unknown setting '{name}'.", nameof(name));
        _values[setting] = value;
        return this;
    }

    /// <summary>
    /// Reads the admin API's <c>config</c> object (camelCase fields, numbers; <c>learnLimits</c> may be a boolean).
    /// Unknown fields and values that are not numbers are reported; nothing is range-checked here.
    /// </summary>
    public static PacerOptionsUpdate Parse(JsonElement config, out IReadOnlyList<SettingError> errors)
    {
        var update = new PacerOptionsUpdate();
        var found = new List<SettingError>();
        if (config.ValueKind != JsonValueKind.Object)
        {
            found.Add(new SettingError("config", config.ValueKind.ToString(), "must be a JSON object of settings"));
            errors = found;
            return update;
        }

        foreach (var property in config.EnumerateObject())
        {
            var setting = FindJson(property.Name);
            if (setting is null)
            {
                found.Add(new SettingError(property.Name, property.Value.GetRawText(), "is not a known setting; known: " + string.Join(", ", PacerSettings.All.Select(s => s.JsonName))));
                continue;
            }

            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
            {
                update._values[setting] = number;
            }
            else if (PacerSettings.IsBoolean(setting) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                update._values[setting] = value.ValueKind == JsonValueKind.True ? 1 : 0;
            }
            else if (value.ValueKind == JsonValueKind.String && PacerSettings.IsMode(setting) && PacerSettings.TryParseWord(setting, value.GetString()!, out var mode))
            {
                update._values[setting] = mode;
            }
            else
            {
                found.Add(new SettingError(setting.JsonName, value.GetRawText(), $"must be a number in {setting.RangeText}"));
            }
        }

        errors = found;
        return update;
    }

    /// <summary>
    /// Applies this update to <paramref name="current"/> under its ranges (<see cref="PacerOptions.ExtendedRanges"/>, which
    /// an update never changes); returns the candidate and every invalid field in it.
    /// </summary>
    public PacerOptions ApplyTo(PacerOptions current, SettingNaming naming, out IReadOnlyList<SettingError> errors)
    {
        ArgumentNullException.ThrowIfNull(current);
        var candidate = current;
        var found = new List<SettingError>();
        foreach (var (setting, value) in _values)
        {
            if (setting.Check(value, current.ExtendedRanges) is { } reason)
            {
                found.Add(new SettingError(PacerOptionsValidator.NameOf(setting, naming), value.ToString(CultureInfo.InvariantCulture), reason));
            }
            else
            {
                candidate = setting.Set(candidate, value);
            }
        }

        errors = found;
        return found.Count == 0 ? candidate : current;
    }

    private static PacerSetting? FindJson(string name)
    {
        foreach (var setting in PacerSettings.All)
        {
            if (string.Equals(setting.JsonName, name, StringComparison.Ordinal))
            {
                return setting;
            }
        }

        return null;
    }
}
