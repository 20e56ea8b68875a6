namespace Pacer.Configuration;

/// <summary>Parses the lines of a <c>.env</c> file. A line that is not <c>KEY=VALUE</c> is an error naming the file and line.</summary>
internal static class DotEnvParser
{
    public static Dictionary<string, string?> Parse(IReadOnlyList<string> lines, string source)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"{source}:{i + 1}: expected KEY=VALUE, found '{line}'.");
            }

            var key = line[..equals].Trim();
            data[key] = Value(line[(equals + 1)..].Trim());
        }

        return data;
    }

    private static string Value(string raw)
    {
        if (raw.Length >= 2 && (raw[0] == '"' || raw[0] == '\''))
        {
            var close = raw.IndexOf(raw[0], 1);
            if (close > 0)
            {
                var inner = raw[1..close];
                return raw[0] == '"' ? inner.Replace("\\n", "\n", StringComparison.Ordinal) : inner;
            }
        }

        // An unquoted value ends at whitespace then "#", so the seed's "ANTHROPIC_RATE_LIMIT_PER_MINUTE=50   # Max requests" reads as 50.
        for (var i = 1; i < raw.Length; i++)
        {
            if (raw[i] == '#' && char.IsWhiteSpace(raw[i - 1]))
            {
                return raw[..i].Trim();
            }
        }

        return raw;
    }
}
