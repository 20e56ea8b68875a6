namespace Pacer.Simulator.Messages;

/// <summary>A request naming a model the simulator does not serve (404 <c>not_found_error</c>).</summary>
internal sealed class UnknownModelException(string model) : Exception($"model: {model}")
{
    public string Model { get; } = model;
}
