UPDATE auto_replies SET domain = substring(address from '[^@]*$');
