using Pacer.Simulator.Options;

namespace Pacer.Simulator.Messages;

/// <summary>A checked Messages (or count_tokens) request: the model it resolved to, its limits and its prompt.</summary>
internal sealed record MessageRequest(
    ModelOptions Model,
    string? FaultScript,
    long MaxTokens,
    bool Stream,
    IReadOnlyList<string> StopSequences,
    Prompt Prompt);
