using System.Text.RegularExpressions;

namespace Pacer.Usage;

/// <summary>
/// Reduces a model id to the form a price book lists: lower case, without <c>-latest</c> and without a date
/// suffix (<c>-20241022</c>, or Vertex AI's <c>@20241022</c>). Nothing else is guessed.
/// </summary>
internal static partial class ModelName
{
    public static string Normalize(string model)
    {
        var name = model.Trim().ToLowerInvariant();
        if (name.EndsWith("-latest", StringComparison.Ordinal))
        {
            return name[..^"-latest".Length];
        }

        return DateSuffix().Replace(name, string.Empty);
    }

    [GeneratedRegex(@"[-@]20\d{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateSuffix();
}
