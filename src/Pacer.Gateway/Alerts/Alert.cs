using System.Text.Json.Serialization;

namespace Pacer.Gateway.Alerts;

/// <summary>
/// One episode of an alert: from the moment its condition became true (<see cref="StartedAt"/>) to the moment it
/// stopped being true (<see cref="ResolvedAt"/>, null while firing).
/// </summary>
/// <param name="Rule">The rule's name (<see cref="AlertRuleNames"/>).</param>
/// <param name="Severity"><c>warning</c> or <c>critical</c>.</param>
/// <param name="Subject">The user a budget alert is about; null for the gateway as a whole.</param>
/// <param name="Message">What happened, for a person.</param>
/// <param name="Value">The measured value (a count, milliseconds, or a percentage).</param>
/// <param name="Threshold">The threshold it was compared with.</param>
/// <param name="StartedAt">When the condition became true.</param>
/// <param name="ResolvedAt">When it stopped being true; null while firing.</param>
internal sealed record Alert(
    string Rule,
    string Severity,
    string? Subject,
    string Message,
    double Value,
    double Threshold,
    DateTimeOffset StartedAt,
    DateTimeOffset? ResolvedAt = null)
{
    /// <summary>Gets <c>firing</c> or <c>resolved</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string State => ResolvedAt is null ? "firing" : "resolved";
}
