namespace Pacer.Simulator.Messages;

/// <summary>
/// The simulator's tokenizer: every run of letters or digits costs one token per four characters (rounded up),
/// every other visible character one token, whitespace nothing. About four characters per token, like the real one,
/// and exactly reproducible, so <c>usage</c> and <c>count_tokens</c> always agree.
/// </summary>
internal static class TokenCounter
{
    public static int Count(ReadOnlySpan<char> text)
    {
        var tokens = 0;
        var run = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                run++;
                continue;
            }

            tokens += (run + 3) / 4;
            run = 0;
            if (!char.IsWhiteSpace(c) && !char.IsLowSurrogate(c))
            {
                tokens++;
            }
        }

        return tokens + ((run + 3) / 4);
    }
}
