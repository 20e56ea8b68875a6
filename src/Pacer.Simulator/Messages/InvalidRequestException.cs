namespace Pacer.Simulator.Messages;

/// <summary>A request the real API would refuse with 400 <c>invalid_request_error</c>; the message says which field and why.</summary>
internal sealed class InvalidRequestException(string message) : Exception(message);
