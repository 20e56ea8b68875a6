namespace Pacer.Configuration;

/// <summary>Thrown when settings are invalid; lists every invalid field at once.</summary>
public sealed class PacerOptionsException : Exception
{
    /// <summary>Initializes a new instance listing <paramref name="errors"/>.</summary>
    public PacerOptionsException(IReadOnlyList<SettingError> errors)
        : base(Format(errors)) => Errors = errors;

    /// <summary>Gets every invalid field.</summary>
    public IReadOnlyList<SettingError> Errors { get; }

    private static string Format(IReadOnlyList<SettingError> errors) =>
        $"Invalid Pacer settings ({errors.Count}): " + string.Join("; ", errors);
}
