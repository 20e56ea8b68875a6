using System.Text;

namespace Pacer.Goodput.Workloads;

/// <summary>Builds the requests of a <see cref="WorkloadSpec"/> from its seed.</summary>
internal static class WorkloadGenerator
{
    // Words of at most four letters: the simulator's tokenizer counts each as one token.
    private static readonly string[] Words =
    [
        "plan", "the", "next", "step", "of", "a", "long", "task", "and", "keep", "it", "safe", "when", "rate", "is",
        "low", "read", "each", "line", "then", "sum", "up", "what", "you", "see", "in", "one", "word", "list", "all",
    ];

    public static IReadOnlyList<WorkItem> Generate(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var random = new Random(spec.Seed);
        var items = new List<WorkItem>(spec.Requests);
        for (var i = 0; i < spec.Requests; i++)
        {
            var (_, minWords, maxWords) = Pick(spec.PromptSizes, random.NextDouble(), s => s.Share);
            var words = random.Next(minWords, maxWords + 1);
            var drawn = Pick(spec.MaxTokens, random.NextDouble(), m => m.Share).MaxTokens; // Drawn even when fixed, so the prompts stay the same.
            var maxTokens = spec.FixedMaxTokens ?? drawn;
            items.Add(new WorkItem(i, Prompt(i, words, random), maxTokens));
        }

        return items;
    }

    /// <summary>Picks the entry whose cumulative share first exceeds <paramref name="draw"/> (the last one if the shares fall short).</summary>
    internal static T Pick<T>(IReadOnlyList<T> entries, double draw, Func<T, double> share)
    {
        var cumulative = 0.0;
        foreach (var entry in entries)
        {
            cumulative += share(entry);
            if (draw < cumulative)
            {
                return entry;
            }
        }

        return entries[^1];
    }

    private static string Prompt(int index, int words, Random random)
    {
        var text = new StringBuilder(words * 5 + 16);
        text.Append("Task ").Append(index).Append(':');
        for (var w = 0; w < words; w++)
        {
            text.Append(' ').Append(Words[random.Next(Words.Length)]);
            if (w % 12 == 11)
            {
                text.Append('.');
            }
        }

        return text.ToString();
    }
}
