using Pacer.Simulator.Options;

namespace Pacer.Simulator.Messages;

/// <summary>
/// Writes the reply to a prompt, the same for the same seed, model and prompt. The length is an exponential draw
/// around the mean, capped at <c>max_tokens</c>; a share of replies runs to <c>max_tokens</c> on purpose. Every
/// word is one token of <see cref="TokenCounter"/>, so <c>usage.output_tokens</c> counts the text exactly.
/// </summary>
internal sealed class ReplyGenerator(OutputOptions options, int seed)
{
    private static readonly string[] Words =
    [
        "the", "a", "of", "to", "and", "in", "is", "it", "that", "for", "on", "with", "as", "this", "be", "at", "by",
        "from", "or", "an", "are", "can", "each", "one", "more", "time", "when", "rate", "call", "wait", "pace", "send",
        "cap", "next", "fast", "slow", "then", "now", "so", "we", "you", "they", "will", "keep", "work", "plan", "step",
        "read", "load", "hold", "fit", "room", "free", "back", "off", "try", "once", "near", "full", "open", "safe",
    ];

    public Reply Generate(MessageRequest request)
    {
        var random = new SplitMix64(Fnv.Add(Fnv.Add(Fnv.Offset, (ulong)seed), request.Prompt.Fingerprint() ^ Fnv.Add(Fnv.Offset, request.Model.Id)));
        var (length, stopReason) = DrawLength(ref random, request.MaxTokens);
        string? stopSequence = null;
        if (stopReason == "end_turn" && request.StopSequences.Count > 0 && random.NextDouble() < options.StopSequenceRate)
        {
            (stopReason, stopSequence) = ("stop_sequence", request.StopSequences[0]);
        }

        var tokens = new List<string>((int)length);
        var sentence = 0;
        for (var i = 0; i < length; i++)
        {
            var endsSentence = sentence >= 6 && (random.NextInt(8) == 0 || i == length - 1);
            if (endsSentence && i > 0)
            {
                tokens.Add(".");
                sentence = 0;
                continue;
            }

            var word = Words[random.NextInt(Words.Length)];
            tokens.Add(sentence == 0 ? (i == 0 ? Capital(word) : " " + Capital(word)) : " " + word);
            sentence++;
        }

        return new Reply([.. tokens], stopReason, stopSequence);
    }

    private (long Length, string StopReason) DrawLength(ref SplitMix64 random, long maxTokens)
    {
        if (random.NextDouble() < options.MaxTokensRate)
        {
            return (maxTokens, "max_tokens");
        }

        var draw = 1 + (long)Math.Floor(-Math.Log(1 - random.NextDouble()) * Math.Max(1, options.MeanTokens));
        return draw >= maxTokens ? (maxTokens, "max_tokens") : (draw, "end_turn");
    }

    private static string Capital(string word) => string.Concat(char.ToUpperInvariant(word[0]).ToString(), word.AsSpan(1));
}
