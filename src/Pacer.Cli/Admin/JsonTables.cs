using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Pacer.Cli.Admin;

/// <summary>Turns the admin API's JSON into tables: an array of objects into rows, an object into name/value pairs. Nested objects become dotted columns.</summary>
internal static class JsonTables
{
    public static Table Rows(string title, JsonElement array)
    {
        var rows = new List<Dictionary<string, string>>();
        var columns = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            Flatten(item, string.Empty, row);
            foreach (var name in row.Keys.Where(name => !columns.Contains(name)))
            {
                columns.Add(name);
            }

            rows.Add(row);
        }

        var table = new Table().Title(Markup.Escape(title));
        if (columns.Count == 0)
        {
            table.AddColumn("(none)");
            return table;
        }

        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var row in rows)
        {
            table.AddRow(columns.Select(c => Markup.Escape(row.GetValueOrDefault(c, string.Empty))).ToArray());
        }

        return table;
    }

    public static Table Pairs(string title, JsonElement value)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(value, string.Empty, pairs);
        var table = new Table().Title(Markup.Escape(title)).AddColumn("field").AddColumn("value");
        foreach (var (name, text) in pairs)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(text));
        }

        return table;
    }

    private static void Flatten(JsonElement value, string prefix, Dictionary<string, string> into)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + "." + property.Name, into);
            }

            return;
        }

        into[prefix.Length == 0 ? "value" : prefix] = Text(value);
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null => "-",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Text)),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture) : value.GetDouble().ToString(CultureInfo.InvariantCulture),
        _ => value.GetRawText(),
    };
}
