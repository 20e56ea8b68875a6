using Pacer.Goodput;

return await Commands.RunAsync(args);
