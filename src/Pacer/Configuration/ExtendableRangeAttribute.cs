using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Pacer.Configuration;

/// <summary>
/// The seed's range of a setting that <c>PACER_EXTENDED_RANGES=true</c> widens: data-annotation validation of a
/// <see cref="PacerOptions"/> allows up to <see cref="ExtendedMaximum"/> when its <see cref="PacerOptions.ExtendedRanges"/>
/// is true, and up to the seed's <see cref="RangeAttribute.Maximum"/> otherwise, as <see cref="PacerOptionsValidator"/> does.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ExtendableRangeAttribute(int minimum, int maximum, int extendedMaximum) : RangeAttribute(minimum, maximum)
{
    /// <summary>Gets the largest allowed value with extended ranges.</summary>
    public int ExtendedMaximum { get; } = extendedMaximum;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        var extended = validationContext.ObjectInstance is PacerOptions { ExtendedRanges: true };
        var maximum = extended ? ExtendedMaximum : (int)Maximum;
        if (value is not int number || (number >= (int)Minimum && number <= maximum))
        {
            return ValidationResult.Success;
        }

        var hint = extended ? string.Empty : $" (set {PacerConfiguration.ExtendedRangesVariable}=true to allow up to {ExtendedMaximum})";
        return new ValidationResult(
            string.Create(CultureInfo.InvariantCulture, $"The field {validationContext.DisplayName} must be between {Minimum} and {maximum}.{(number > maximum ? hint : string.Empty)}"),
            validationContext.MemberName is { } member ? [member] : null);
    }
}
