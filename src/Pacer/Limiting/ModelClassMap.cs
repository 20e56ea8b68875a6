using System.Collections.Concurrent;
using System.Text.Json;

namespace Pacer.Limiting;

/// <summary>
/// Maps a model name to the class whose limits it shares (all Opus 4.x share one pool, all Sonnet 4.x one, ...).
/// Data, not code: ordered <c>pattern → class</c> rules, the first match wins, <c>*</c> matches any run of characters,
/// case is ignored; a model that matches no rule is a class of its own. The defaults ship as the embedded
/// <c>Limiting/model-classes.json</c>; an operator adds or overrides rules with <see cref="FromFile"/> or <see cref="WithRules"/>.
/// </summary>
public sealed class ModelClassMap
{
    private const string ResourceName = "Pacer.Limiting.model-classes.json";

    // Answers are cached so the hot path neither scans the rules nor allocates; the cap bounds memory against junk names.
    private const int CacheLimit = 1024;

    private readonly KeyValuePair<string, string>[] _rules;
    private readonly ConcurrentDictionary<string, Answer> _cache = new(StringComparer.Ordinal);

    // The previous answer, checked by reference first: callers usually pass the same model string again.
    private volatile Answer? _last;

    /// <summary>Creates a map from ordered <c>(pattern, class)</c> rules.</summary>
    public ModelClassMap(IEnumerable<KeyValuePair<string, string>> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        foreach (var (pattern, modelClass) in _rules)
        {
            if (string.IsNullOrWhiteSpace(pattern) || string.IsNullOrWhiteSpace(modelClass))
            {
                throw new ArgumentException("Every model-class rule needs a pattern and a class.", nameof(rules));
            }
        }
    }

    /// <summary>Gets the map shipped with Pacer (the embedded <c>model-classes.json</c>).</summary>
    public static ModelClassMap Default { get; } = LoadDefault();

    /// <summary>Gets the rules in the order they are tried.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Rules => _rules;

    /// <summary>Reads rules from a JSON text: <c>{"classes":[{"pattern":"claude-opus-4*","class":"claude-opus-4"}, ...]}</c>.</summary>
    /// <exception cref="FormatException">The text is not in that shape.</exception>
    public static ModelClassMap Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("classes", out var classes) || classes.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("A model-class file needs a \"classes\" array.");
            }

            var rules = new List<KeyValuePair<string, string>>();
            foreach (var rule in classes.EnumerateArray())
            {
                var pattern = rule.TryGetProperty("pattern", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                var modelClass = rule.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                if (string.IsNullOrWhiteSpace(pattern) || string.IsNullOrWhiteSpace(modelClass))
                {
                    throw new FormatException($"Model-class rule {rules.Count + 1} needs a \"pattern\" and a \"class\" string.");
                }

                rules.Add(new(pattern, modelClass));
            }

            return new ModelClassMap(rules);
        }
        catch (JsonException e)
        {
            throw new FormatException("A model-class file must be JSON: " + e.Message, e);
        }
    }

    /// <summary>
    /// Reads an operator's rule file (same shape as <see cref="Parse"/>). With <paramref name="includeDefaults"/> its
    /// rules come first and the shipped rules after them; without, the file replaces them.
    /// </summary>
    public static ModelClassMap FromFile(string path, bool includeDefaults = true)
    {
        var map = Parse(File.ReadAllText(path));
        return includeDefaults ? Default.WithRules(map.Rules) : map;
    }

    /// <summary>Returns a map that tries <paramref name="rules"/> first, then this map's rules.</summary>
    public ModelClassMap WithRules(IEnumerable<KeyValuePair<string, string>> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new ModelClassMap([.. rules, .. _rules]);
    }

    /// <summary>Gets the model class of <paramref name="model"/>: the class of the first matching rule, else the model itself.</summary>
    public string ClassOf(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var last = _last;
        if (last is not null && ReferenceEquals(last.Model, model))
        {
            return last.Class;
        }

        if (_cache.TryGetValue(model, out var cached))
        {
            _last = cached;
            return cached.Class;
        }

        var modelClass = Match(model);
        if (_cache.Count < CacheLimit)
        {
            _cache.TryAdd(model, new Answer(model, modelClass));
        }

        return modelClass;
    }

    private string Match(string model)
    {
        foreach (var (pattern, modelClass) in _rules)
        {
            if (Glob.IsMatch(pattern, model))
            {
                return modelClass;
            }
        }

        return model;
    }

    private static ModelClassMap LoadDefault()
    {
        using var stream = typeof(ModelClassMap).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private sealed record Answer(string Model, string Class);
}
