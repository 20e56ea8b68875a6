using System.Text.Json;
using Pacer.Http;

namespace Pacer.Usage;

/// <summary>Reads the price book's JSON shape strictly, so a typo in an operator's file is an error, not a zero price.</summary>
internal static class PriceBookReader
{
    public const string ResourceName = "Pacer.Usage.prices.json";

    private static readonly string[] PriceFields = ["input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead"];
    private static readonly HashSet<string> TopFields = ["currency", "unit", "source", "batchDiscount", "families"];
    private static readonly HashSet<string> FamilyFields = ["family", "description", "models", .. PriceFields];

    public static (decimal? BatchDiscount, IReadOnlyList<ModelPrice> Families) Read(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PriceBookException(source, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // Only a caller's string can hold an unpaired surrogate; text read from a file has them replaced.
            throw new PriceBookException(source, "is not valid Unicode text (an unpaired surrogate)", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PriceBookException(source, "must be a JSON object with a \"families\" array");
            }

            if (JsonText.Undecodable(root) is { } undecodable)
            {
                throw new PriceBookException(source, undecodable);
            }

            RejectUnknown(root, TopFields, source, "the top level");
            decimal? discount = null;
            if (root.TryGetProperty("batchDiscount", out var d))
            {
                discount = d.ValueKind == JsonValueKind.Number && d.TryGetDecimal(out var v) && v is >= 0 and <= 1
                    ? v
                    : throw new PriceBookException(source, $"\"batchDiscount\" must be a number from 0 to 1, got {d.GetRawText()}");
            }

            if (!root.TryGetProperty("families", out var families) || families.ValueKind != JsonValueKind.Array)
            {
                throw new PriceBookException(source, "\"families\" must be an array of model families");
            }

            var result = new List<ModelPrice>();
            var seenModels = new Dictionary<string, string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var entry in families.EnumerateArray())
            {
                var family = ReadFamily(entry, $"families[{index++}]", source);
                if (result.Any(f => string.Equals(f.Family, family.Family, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new PriceBookException(source, $"family \"{family.Family}\" appears twice");
                }

                foreach (var model in family.Models)
                {
                    if (!seenModels.TryAdd(model, family.Family))
                    {
                        throw new PriceBookException(source, $"model \"{model}\" is listed by both \"{seenModels[model]}\" and \"{family.Family}\"");
                    }
                }

                result.Add(family);
            }

            return (discount, result);
        }
    }

    private static ModelPrice ReadFamily(JsonElement entry, string where, string source)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new PriceBookException(source, $"{where} must be an object");
        }

        var name = entry.TryGetProperty("family", out var f) && f.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(f.GetString())
            ? f.GetString()!.Trim()
            : throw new PriceBookException(source, $"{where} needs a \"family\" name");
        where = $"{where} (\"{name}\")";
        RejectUnknown(entry, FamilyFields, source, where);

        if (!entry.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array || models.GetArrayLength() == 0)
        {
            throw new PriceBookException(source, $"{where}: \"models\" must be a non-empty array of model ids");
        }

        var ids = new List<string>();
        foreach (var model in models.EnumerateArray())
        {
            ids.Add(model.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(model.GetString())
                ? ModelName.Normalize(model.GetString()!)
                : throw new PriceBookException(source, $"{where}: every entry of \"models\" must be a model id, got {model.GetRawText()}"));
        }

        var prices = PriceFields.Select(field => Price(entry, field, where, source)).ToArray();
        return new ModelPrice
        {
            Family = name,
            Description = entry.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String
                ? description.GetString()! : string.Empty,
            Models = ids.Distinct(StringComparer.Ordinal).ToArray(),
            Input = prices[0],
            Output = prices[1],
            CacheWrite5m = prices[2],
            CacheWrite1h = prices[3],
            CacheRead = prices[4],
        };
    }

    private static decimal Price(JsonElement entry, string field, string where, string source)
    {
        if (!entry.TryGetProperty(field, out var value))
        {
            throw new PriceBookException(source, $"{where}: \"{field}\" (USD per million tokens) is missing");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var price) && price >= 0
            ? price
            : throw new PriceBookException(source, $"{where}: \"{field}\" must be a non-negative number of USD per million tokens, got {value.GetRawText()}");
    }

    private static void RejectUnknown(JsonElement element, HashSet<string> known, string source, string where)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw new PriceBookException(source, $"{where}: unknown field \"{property.Name}\"; allowed: {string.Join(", ", known)}");
            }
        }
    }
}
