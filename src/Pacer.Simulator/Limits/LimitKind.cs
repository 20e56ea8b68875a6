namespace Pacer.Simulator.Limits;

/// <summary>Which limit refused a request.</summary>
internal enum LimitKind
{
    Requests,
    InputTokens,
    OutputTokens,
    Acceleration,
    SpendCap,
}
