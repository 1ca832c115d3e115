UPDATE auto_replies SET domain = substr(address, instr(address, '@') + 1);
