// The node agent arrives with the node agent issue; until then the program only says so.
Console.Error.WriteLine("nautilus-agent: the node agent is not implemented yet");
return 1;
