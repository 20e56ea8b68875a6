namespace Pacer.Goodput.Workloads;

/// <summary>One request of the workload: a user prompt and its <c>max_tokens</c>.</summary>
/// <param name="Index">Position in the workload, from 0; also the request's tag in the simulator's log.</param>
/// <param name="Prompt">The user message.</param>
/// <param name="MaxTokens">The request's <c>max_tokens</c>.</param>
internal sealed record WorkItem(int Index, string Prompt, int MaxTokens)
{
    /// <summary>The model every request names (the Sonnet 4 pool).</summary>
    public const string Model = "claude-sonnet-4-5";

    /// <summary>Gets the tag sent in <see cref="RequestTag.HeaderName"/>, by which the simulator's log names this request.</summary>
    public string Tag => TagOf(Index);

    /// <summary>The tag of the request at <paramref name="index"/> in the workload.</summary>
    public static string TagOf(int index) => "w" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
