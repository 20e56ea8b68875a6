using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Pacer.Usage;

/// <summary>
/// The prices of every known model family, shipped as data (an embedded JSON resource) and overridable by an
/// operator's JSON file of the same shape, without a rebuild. A model id maps to its family by its exact name or,
/// after dropping <c>-latest</c> or a date suffix, by the family's model list; anything else is unknown.
/// </summary>
public sealed class PriceBook
{
    /// <summary>The source name of the shipped prices.</summary>
    public const string BuiltInSource = "built-in";

    private static readonly Lazy<PriceBook> Shipped = new(LoadBuiltIn);
    private readonly FrozenDictionary<string, ModelPrice> _byModel;

    internal PriceBook(string source, decimal batchDiscount, IReadOnlyList<ModelPrice> families)
    {
        Source = source;
        BatchDiscount = batchDiscount;
        Families = families;
        _byModel = families
            .SelectMany(f => f.Models.Select(m => KeyValuePair.Create(m, f)))
            .ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the shipped price book.</summary>
    public static PriceBook Default => Shipped.Value;

    /// <summary>Gets where the prices came from: <c>built-in</c>, or <c>built-in + PATH</c> when a file overrides it.</summary>
    public string Source { get; }

    /// <summary>Gets the fraction taken off every price for Message Batches requests.</summary>
    /// <value>The shipped value is 0.5 (50% off).</value>
    public decimal BatchDiscount { get; }

    /// <summary>Gets every model family.</summary>
    public IReadOnlyList<ModelPrice> Families { get; }

    /// <summary>Gets every model id listed by a family (dated ids map to these).</summary>
    public IEnumerable<string> Models => _byModel.Keys;

    /// <summary>
    /// Reads an operator's price file over the shipped prices: a family of the same name replaces the shipped
    /// one, a new family is added, a model id listed in the file moves to the file's family.
    /// Throws <see cref="PriceBookException"/> naming the file and the bad entry.
    /// </summary>
    public static PriceBook Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PriceBookException(path, $"cannot be read: {e.Message}", e);
        }

        return Parse(json, path, Default);
    }

    /// <summary>Reads a price book from JSON text, over <paramref name="baseBook"/> when one is given.</summary>
    public static PriceBook Parse(string json, string source, PriceBook? baseBook = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        var file = PriceBookReader.Read(json, source);
        if (baseBook is null)
        {
            return new PriceBook(source, file.BatchDiscount ?? 0.5m, file.Families);
        }

        var overridden = file.Families.ToDictionary(f => f.Family, StringComparer.OrdinalIgnoreCase);
        var movedModels = file.Families.SelectMany(f => f.Models).ToHashSet(StringComparer.Ordinal);
        var merged = new List<ModelPrice>();
        foreach (var family in baseBook.Families)
        {
            if (overridden.Remove(family.Family, out var replacement))
            {
                merged.Add(replacement);
            }
            else if (family.Models.Where(m => !movedModels.Contains(m)).ToArray() is { Length: > 0 } kept)
            {
                merged.Add(family with { Models = kept });
            }
        }

        merged.AddRange(file.Families.Where(f => overridden.ContainsKey(f.Family)));
        return new PriceBook($"{baseBook.Source} + {source}", file.BatchDiscount ?? baseBook.BatchDiscount, merged);
    }

    /// <summary>Finds the price of <paramref name="model"/>; false when the model is unknown (never a guess).</summary>
    public bool TryGetPrice(string model, [NotNullWhen(true)] out ModelPrice? price)
    {
        price = null;
        if (string.IsNullOrWhiteSpace(model))
        {
            return false;
        }

        var exact = model.Trim().ToLowerInvariant();
        return _byModel.TryGetValue(exact, out price) || _byModel.TryGetValue(ModelName.Normalize(exact), out price);
    }

    private static PriceBook LoadBuiltIn()
    {
        using var stream = typeof(PriceBook).Assembly.GetManifestResourceStream(PriceBookReader.ResourceName)
            ?? throw new PriceBookException(BuiltInSource, $"the embedded resource {PriceBookReader.ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), BuiltInSource);
    }
}
