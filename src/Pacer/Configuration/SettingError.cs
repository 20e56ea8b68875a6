namespace Pacer.Configuration;

/// <summary>One invalid setting: which one, the value given, and why it was refused.</summary>
/// <param name="Field">The name of the field as the caller wrote it (camelCase, property name or environment variable).</param>
/// <param name="Value">The value given, as text.</param>
/// <param name="Reason">Why it was refused, including the allowed range where there is one.</param>
public sealed record SettingError(string Field, string Value, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{(Field.Length == 0 ? "\"\" (a setting with an empty name)" : Field)}: '{Value}' {Reason}";
}
