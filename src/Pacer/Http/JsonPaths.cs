using System.Text.Json;

namespace Pacer.Http;

/// <summary>Small forward-only lookups in JSON with <see cref="Utf8JsonReader"/>, without building a document.</summary>
internal static class JsonPaths
{
    /// <summary>Finds the string at a path of object properties from the root, for example <c>error.details.error_code</c>.</summary>
    public static bool TryReadString(ref Utf8JsonReader reader, scoped ReadOnlySpan<string> path, out string? value)
    {
        value = null;
        if (path.IsEmpty || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var level = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var matches = reader.ValueTextEquals(path[level]);
            reader.Read();
            if (!matches)
            {
                reader.Skip();
                continue;
            }

            if (level == path.Length - 1)
            {
                value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                return value is not null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            level++;
        }

        // An EndObject: the object on the path ended without the next name.
        return false;
    }

    /// <summary>Reads a number as an int, clamping values outside its range; false when the token is not a number.</summary>
    public static bool TryGetClampedInt(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        if (reader.TryGetInt64(out var whole))
        {
            value = (int)Math.Clamp(whole, 0, int.MaxValue);
            return true;
        }

        if (reader.TryGetDouble(out var real) && double.IsFinite(real))
        {
            value = (int)Math.Clamp(real, 0, int.MaxValue);
            return true;
        }

        return false;
    }
}
