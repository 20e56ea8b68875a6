namespace Pacer.Limiting;

/// <summary>
/// An input-token estimate and the characters-per-token ratio it was made with. Calibrating with it corrects that
/// ratio, not the one in use when the answer comes back: a request may wait and run for many seconds while dozens of
/// other answers move the ratio, and applying its error to the moved ratio would compound the same correction.
/// </summary>
/// <param name="Tokens">The estimated input tokens.</param>
/// <param name="CharsPerToken">The characters-per-token ratio the text was divided by.</param>
public readonly record struct InputEstimate(int Tokens, double CharsPerToken);
