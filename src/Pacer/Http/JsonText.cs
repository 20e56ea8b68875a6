using System.Text;
using System.Text.Json;

namespace Pacer.Http;

/// <summary>
/// Finds what <see cref="JsonDocument"/> parses but cannot turn into .NET strings: bytes that are not UTF-8, and
/// escapes that make an unpaired surrogate (<c>"\ud800"</c>). Reading either throws <see cref="InvalidOperationException"/>
/// later, so bodies are checked once, up front, and refused with a message that says where.
/// </summary>
public static class JsonText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns null when every byte is UTF-8 and every name and string decodes; else what is wrong, to follow "The body ".</summary>
    public static string? Undecodable(ReadOnlySpan<byte> utf8, JsonElement root)
    {
        try
        {
            _ = Strict.GetCharCount(utf8);
        }
        catch (DecoderFallbackException)
        {
            return "is not valid UTF-8";
        }

        return Undecodable(root);
    }

    /// <summary>Returns null when every name and string in <paramref name="root"/> decodes; else which one does not.</summary>
    public static string? Undecodable(JsonElement root) => Undecodable(root, "the top level");

    private static string? Undecodable(JsonElement element, string where)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return $"has a field name at {where} that is not valid Unicode (an unpaired surrogate such as \\ud800)";
                    }

                    if (Undecodable(property.Value, $"'{name}'") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (Undecodable(item, where) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return $"has a string in {where} that is not valid Unicode (an unpaired surrogate such as \\ud800)";
                }

            default:
                return null;
        }
    }
}
