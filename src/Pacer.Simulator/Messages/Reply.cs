namespace Pacer.Simulator.Messages;

/// <summary>A generated reply: its tokens (their concatenation is the text), why it stopped, and the stop sequence hit.</summary>
internal sealed record Reply(string[] Tokens, string StopReason, string? StopSequence)
{
    public int OutputTokens => Tokens.Length;

    public string Text => string.Concat(Tokens);
}
