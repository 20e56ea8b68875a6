using Pacer.Simulator.Messages;

namespace Pacer.Simulator.Tests.Messages;

public sealed class TokenCounterTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("Hello", 2)]
    [InlineData("Hi there", 3)]
    [InlineData("Hello there", 4)]
    [InlineData("a, b.", 4)]
    [InlineData("   ", 0)]
    [InlineData("tokenization", 3)]
    [InlineData("12345678", 2)]
    [InlineData("{\"a\":1}", 7)]
    public void Count_Text_CountsRunsByFourAndPunctuationByOne(string text, int expected) =>
        TokenCounter.Count(text).ShouldBe(expected);
}
